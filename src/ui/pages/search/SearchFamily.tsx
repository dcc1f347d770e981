// Where a refined search came from and which searches refined it.
import type { Search } from '../../api/types';
import { href } from '../../app/route';

export function SearchFamily({ search, children }: { search: Search; children: Search[] }) {
  if (!search.parentSearchId && children.length === 0) return null;
  return (
    <p class="family">
      {search.parentSearchId && (
        <span>
          Refined from <a href={href.search(search.parentSearchId)}>its parent search</a>.
        </span>
      )}
      {children.length > 0 && (
        <span>
          {' '}
          Refined into:{' '}
          {children.map((c, i) => (
            <span key={c.id}>
              {i > 0 ? ', ' : ''}
              <a href={href.search(c.id)}>{c.name ?? c.id.slice(0, 8)}</a>
            </span>
          ))}
          .
        </span>
      )}
    </p>
  );
}
