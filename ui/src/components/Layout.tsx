/** The frame around every page: skip link, nav bar, live-stream indicator and sign-out. */
import { useEffect, useRef } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { signOut, useAuth } from '../api/auth';
import { useStreamStatus } from '../api/events';
import { LoginPage } from '../pages/LoginPage';
import { Toasts } from './Toasts';

const NAV = [
  { to: '/', label: 'Jobs', also: ['/jobs/', '/runs/'] },
  { to: '/timeline', label: 'Timeline', also: [] },
  { to: '/cluster', label: 'Cluster', also: [] },
  { to: '/owners', label: 'Owners', also: [] },
];

function LiveIndicator() {
  const status = useStreamStatus();
  const label = status === 'live' ? 'Live' : status === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  return (
    <span className={`live live-${status}`} role="status" title={status === 'live' ? 'Updates arrive as they happen' : 'The event stream is not connected; pages may be behind'}>
      <span className="live-dot" aria-hidden="true" />
      {label}
    </span>
  );
}

/** After a navigation, focus goes to the new page so screen readers and keyboards start there. */
function useFocusOnNavigate(): void {
  const { pathname } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('main')?.focus({ preventScroll: false });
  }, [pathname]);
}

export function Layout() {
  const { token, loginRequired } = useAuth();
  const { pathname } = useLocation();
  useFocusOnNavigate();
  return (
    <>
      {/* Focus moves by hand: a #main hash would be a history entry the router sees as a navigation. */}
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="topbar">
        <nav className="topnav" aria-label="Main">
          <NavLink to="/" className="brand" aria-label="moroccron, jobs">
            <svg viewBox="0 0 32 32" width="22" height="22" aria-hidden="true">
              <rect width="32" height="32" rx="7" fill="currentColor" />
              <circle cx="16" cy="16" r="10" fill="none" stroke="var(--brand-ink)" strokeWidth="2.5" />
              <path d="M16 9v7l5 3" fill="none" stroke="var(--brand-ink)" strokeWidth="2.5" strokeLinecap="round" strokeLinejoin="round" />
            </svg>
            <span>moroccron</span>
          </NavLink>
          <ul className="navlinks">
            {NAV.map((item) => (
              <li key={item.to}>
                <NavLink
                  to={item.to}
                  end={item.to === '/'}
                  className={({ isActive }) => (isActive || item.also.some((p) => pathname.startsWith(p)) ? 'navlink active' : 'navlink')}
                  aria-current={item.also.some((p) => pathname.startsWith(p)) ? 'page' : undefined}
                >
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
          <div className="topbar-end">
            {!loginRequired && <LiveIndicator />}
            {token !== null && (
              <button type="button" className="btn btn-quiet btn-small" onClick={signOut}>
                Sign out
              </button>
            )}
          </div>
        </nav>
      </header>
      {loginRequired ? <LoginPage /> : <Outlet />}
      <Toasts />
    </>
  );
}
