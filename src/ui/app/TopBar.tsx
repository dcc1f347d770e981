// The header: brand, the main sections, the project and sign-out.
import type { Route } from './route';
import { href } from './route';
import './topBar.css';

const SECTIONS = [
  { label: 'Runs', href: href.runs(), pages: ['runs', 'run', 'compare'] },
  { label: 'Searches', href: href.searches(), pages: ['searches', 'search'] },
  { label: 'Submit', href: href.submit(), pages: ['submit'] },
];

export function TopBar({ route, projectName, onSignOut }: { route: Route; projectName: string; onSignOut: () => void }) {
  return (
    <header class="topbar">
      <a class="skip-link" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <a class="brand" href={href.runs()} aria-label="Trainyard, runs">
        <span class="brand-mark" aria-hidden="true" />
        Trainyard
      </a>
      <nav aria-label="Sections">
        {SECTIONS.map((s) => (
          <a key={s.label} href={s.href} aria-current={s.pages.includes(route.page) ? 'page' : undefined}>
            {s.label}
          </a>
        ))}
      </nav>
      <div class="topbar-right">
        <span class="project" title="project">
          {projectName}
        </span>
        <button type="button" class="small" onClick={onSignOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}
