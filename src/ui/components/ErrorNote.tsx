// An API or network error in words, announced to screen readers.
import { ApiError } from '../api/client';

export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.status === 404 ? `Not found: ${err.message}` : err.message;
  if (err instanceof TypeError) return 'The API could not be reached. Is it running?';
  return String((err as Error)?.message ?? err);
}

export function ErrorNote({ error, what }: { error: unknown; what?: string }) {
  return (
    <p class="error-note" role="alert">
      {what ? `${what}: ` : ''}
      {errorText(error)}
    </p>
  );
}
