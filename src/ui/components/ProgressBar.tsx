// A thin progress bar with its figure, exposed as a progressbar to assistive technology.
export function ProgressBar({ fraction, label, text }: { fraction: number; label: string; text?: string }) {
  const pct = Math.round(Math.max(0, Math.min(1, fraction)) * 1000) / 10;
  return (
    <span class="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-valuetext={text ?? `${pct}%`}>
      <span class="track">
        <span class="fill" style={{ width: `${pct}%` }} />
      </span>
      <span class="label">{text ?? `${pct}%`}</span>
    </span>
  );
}
