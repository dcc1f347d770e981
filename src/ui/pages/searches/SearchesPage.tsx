export function SearchesPage() { return <div class="page"><h1>SearchesPage</h1></div>; }
