/**
 * The router and the layout every page shares. The jobs page comes in the first bundle; the
 * others (the editor, the graph) load when first opened, so the first page is quick.
 */
import { lazy, Suspense, type ComponentType } from 'react';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { Layout } from './components/Layout';
import { NotFound } from './components/NotFound';
import { Page } from './components/Page';
import { EmptyState, Loading } from './components/States';
import { JobsPage } from './pages/JobsPage';

/** When a page's code cannot be fetched: most often the server was upgraded under an open tab. */
function PageCodeMissing() {
  return (
    <Page testId="page-code-missing" title="Reload needed">
      <EmptyState title="This page could not be loaded">
        <p>The server may have been upgraded since this tab was opened. Reloading fetches the current version.</p>
        <button type="button" className="btn btn-primary" onClick={() => window.location.reload()}>
          Reload
        </button>
      </EmptyState>
    </Page>
  );
}

/** A page module loaded on first use; pages are named exports. */
function page<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) {
  const Lazy: ComponentType = lazy(async () => {
    try {
      return { default: (await load())[name] as ComponentType };
    } catch {
      return { default: PageCodeMissing };
    }
  });
  return (
    <Suspense fallback={<Loading what="the page" />}>
      <Lazy />
    </Suspense>
  );
}

const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { path: '/', element: <JobsPage /> },
      { path: '/jobs/:name', element: page(() => import('./pages/JobPage'), 'JobPage') },
      // Engineer B's pages.
      { path: '/jobs/:name/graph', element: page(() => import('./pages/GraphPage'), 'GraphPage') },
      { path: '/runs/:id', element: page(() => import('./pages/RunPage'), 'RunPage') },
      { path: '/timeline', element: page(() => import('./pages/TimelinePage'), 'TimelinePage') },
      { path: '/cluster', element: page(() => import('./pages/ClusterPage'), 'ClusterPage') },
      { path: '/owners', element: page(() => import('./pages/OwnersPage'), 'OwnersPage') },
      { path: '*', element: <NotFound /> },
    ],
  },
]);

export function App() {
  return <RouterProvider router={router} />;
}
