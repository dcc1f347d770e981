export function ComparePage({ ids: _ids }: { ids: string[] }) { return <div class="page"><h1>ComparePage</h1></div>; }
