/**
 * A page's main landmark: the skip link's target, the `data-testid` tests find it by, and
 * the document title. Every page renders one.
 */
import { useEffect, type ReactNode } from 'react';

interface PageProps {
  testId: string;
  /** The document title's first part ("nightly-report" → "nightly-report · moroccron"). */
  title: string;
  children: ReactNode;
  /** A wider layout for tables and graphs. */
  wide?: boolean;
}

export function Page({ testId, title, children, wide = false }: PageProps) {
  useEffect(() => {
    document.title = `${title} · moroccron`;
  }, [title]);
  return (
    <main id="main" tabIndex={-1} data-testid={testId} className={wide ? 'page page-wide' : 'page'}>
      {children}
    </main>
  );
}
