/**
 * Asked for when the server answers 401: a token, kept in this tab's session storage. The
 * token is checked against the API before the pages come back.
 */
import { useId, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { signIn, useAuth } from '../api/auth';
import { Page } from '../components/Page';

async function checkToken(token: string): Promise<string | null> {
  try {
    const response = await fetch('/api/v1/cluster', { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
    if (response.status === 401) return 'The server did not accept this token. Check that it was copied whole and has not expired.';
    // 403 and the like: the token is known; its role decides what each page may do.
    return null;
  } catch (error) {
    return new ApiError(0, 'network', `The server did not answer (${(error as Error).message}).`).message;
  }
}

export function LoginPage() {
  const { generation } = useAuth();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const inputId = useId();
  const hintId = useId();
  const errorId = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const value = token.trim();
    if (!value) {
      setError('Paste a token first.');
      return;
    }
    setChecking(true);
    const problem = await checkToken(value);
    setChecking(false);
    if (problem) setError(problem);
    else signIn(value);
  };

  return (
    <Page testId="page-login" title="Sign in">
      <div className="login card">
        <div className="card-body">
          <h1>Sign in</h1>
          <p className="muted" style={{ marginTop: 8 }}>
            {generation > 0 ? 'The server no longer accepts the token this tab had.' : 'This server asks for an API token.'}
          </p>
          <form onSubmit={submit} noValidate>
            <div className="field">
              <label htmlFor={inputId}>API token</label>
              <input
                id={inputId}
                type="password"
                autoComplete="off"
                spellCheck={false}
                autoFocus
                value={token}
                onChange={(e) => setToken(e.target.value)}
                aria-describedby={error ? `${errorId} ${hintId}` : hintId}
                aria-invalid={error ? true : undefined}
              />
            </div>
            {error && (
              <p id={errorId} className="banner banner-error" role="alert" style={{ margin: 0 }}>
                {error}
              </p>
            )}
            <button type="submit" className="btn btn-primary" disabled={checking}>
              {checking ? 'Checking…' : 'Sign in'}
            </button>
            <p id={hintId} className="small muted">
              An admin makes one with <code>moroccron token create --role viewer</code> (or operator, admin). It is kept only in this tab and
              forgotten when the tab closes.
            </p>
          </form>
        </div>
      </div>
    </Page>
  );
}
