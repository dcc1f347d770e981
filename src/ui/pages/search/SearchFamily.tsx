// Where a refined search came from and which searches refined it.
import type { Search } from '../../api/types';
import { useApi } from '../../app/apiContext';
import { href } from '../../app/route';
import { useAsync } from '../../components/useAsync';

export function SearchFamily({ search, children }: { search: Search; children: Search[] }) {
  const api = useApi();
  const parentId = search.parentSearchId ?? null;
  const parent = useAsync(() => (parentId ? api.getSearch(parentId) : Promise.resolve(null)), [parentId]);
  if (!parentId && children.length === 0) return null;
  return (
    <p class="family">
      {parentId && (
        <span>
          Refined from <a href={href.search(parentId!)}>{parent.value?.name ?? 'its parent search'}</a>.
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
