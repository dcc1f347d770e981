export function SubmitPage({ query: _query }: { query: URLSearchParams }) { return <div class="page"><h1>SubmitPage</h1></div>; }
