// A radio group drawn as segmented buttons (arrow keys move between options, as radios do).
export interface Option<T extends string> {
  value: T;
  label: string;
  disabled?: boolean;
  title?: string;
}

export function Segmented<T extends string>({ name, legend, value, options, onChange }: { name: string; legend: string; value: T; options: Option<T>[]; onChange: (v: T) => void }) {
  return (
    <fieldset class="segmented">
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o.value} title={o.title}>
          <input type="radio" name={name} value={o.value} checked={value === o.value} disabled={o.disabled} onChange={() => onChange(o.value)} />
          {o.label}
        </label>
      ))}
    </fieldset>
  );
}
