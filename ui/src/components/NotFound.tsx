import { Link } from 'react-router';
import { Page } from './Page';

export function NotFound() {
  return (
    <Page testId="page-not-found" title="Not found">
      <div className="empty">
        <h1>Nothing here</h1>
        <p>This address is not a page of moroccron.</p>
        <p>
          <Link to="/">Go to the jobs</Link>
        </p>
      </div>
    </Page>
  );
}
