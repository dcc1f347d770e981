export function SearchPage({ id: _id }: { id: string }) { return <div class="page"><h1>SearchPage</h1></div>; }
