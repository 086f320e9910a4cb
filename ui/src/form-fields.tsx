import type { ComponentChildren } from 'preact';

/** The ids of a field's hint and error, which its control is described by. */
const describedBy = (id: string, hint: unknown, error: unknown) =>
  [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter((s) => s !== '').join(' ') || undefined;

interface FieldText {
  id: string;
  label: ComponentChildren;
  /** Said under the control; the control is described by it. */
  hint?: ComponentChildren;
  /** The API's (or the form's) problem with this field, shown under it; the control is marked invalid. */
  error?: string | undefined;
}

function FieldNotes({ id, hint, error }: Omit<FieldText, 'label'>) {
  return (
    <>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="error-text" id={`${id}-error`}>
          {error}
        </p>
      )}
    </>
  );
}

interface TextFieldProps extends FieldText {
  value: string;
  onValue: (value: string) => void;
  type?: 'text' | 'url' | 'password' | 'datetime-local';
  inputMode?: 'numeric' | 'decimal';
  placeholder?: string;
  /** A textarea of this many rows. */
  rows?: number;
  autoComplete?: string;
}

/** A labelled text input (or textarea), its hint and its error. */
export function TextField(p: TextFieldProps) {
  const common = {
    id: p.id,
    value: p.value,
    placeholder: p.placeholder,
    'aria-invalid': p.error ? ('true' as const) : undefined,
    'aria-describedby': describedBy(p.id, p.hint, p.error),
    onInput: (e: Event) => {
      const target = e.currentTarget;
      if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) p.onValue(target.value);
    },
  };
  return (
    <div class="field">
      <label for={p.id}>{p.label}</label>
      {p.rows ? (
        <textarea {...common} rows={p.rows} spellcheck={false} />
      ) : (
        <input {...common} type={p.type ?? 'text'} inputMode={p.inputMode} autoComplete={p.autoComplete ?? 'off'} />
      )}
      <FieldNotes id={p.id} hint={p.hint} error={p.error} />
    </div>
  );
}

interface SelectFieldProps<T extends string> extends FieldText {
  value: T;
  options: readonly (readonly [T, string])[];
  onValue: (value: T) => void;
}

export function SelectField<T extends string>(p: SelectFieldProps<T>) {
  return (
    <div class="field">
      <label for={p.id}>{p.label}</label>
      <select
        id={p.id}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={describedBy(p.id, p.hint, p.error)}
        onChange={(e) => {
          const chosen = p.options.find(([value]) => value === e.currentTarget.value);
          if (chosen) p.onValue(chosen[0]);
        }}
      >
        {p.options.map(([value, text]) => (
          <option key={value} value={value} selected={value === p.value}>
            {text}
          </option>
        ))}
      </select>
      <FieldNotes id={p.id} hint={p.hint} error={p.error} />
    </div>
  );
}

interface CheckboxProps extends FieldText {
  checked: boolean;
  onChecked: (checked: boolean) => void;
}

export function Checkbox(p: CheckboxProps) {
  return (
    <div class="field check">
      <input
        id={p.id}
        type="checkbox"
        checked={p.checked}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={describedBy(p.id, p.hint, p.error)}
        onChange={(e) => p.onChecked(e.currentTarget.checked)}
      />
      <label for={p.id}>{p.label}</label>
      <FieldNotes id={p.id} hint={p.hint} error={p.error} />
    </div>
  );
}

interface ChoicesProps<T extends string> extends FieldText {
  options: readonly T[];
  chosen: readonly T[];
  onChosen: (chosen: T[]) => void;
}

/** A group of checkboxes under a legend, kept in `options` order. */
export function Choices<T extends string>(p: ChoicesProps<T>) {
  return (
    <fieldset
      class="choices"
      id={p.id}
      aria-invalid={p.error ? 'true' : undefined}
      aria-describedby={describedBy(p.id, p.hint, p.error)}
      tabIndex={-1}
    >
      <legend>{p.label}</legend>
      {p.options.map((option) => (
        <label key={option}>
          <input
            type="checkbox"
            checked={p.chosen.includes(option)}
            onChange={(e) => {
              const on = e.currentTarget.checked;
              p.onChosen(p.options.filter((o) => (o === option ? on : p.chosen.includes(o))));
            }}
          />{' '}
          {option}
        </label>
      ))}
      <FieldNotes id={p.id} hint={p.hint} error={p.error} />
    </fieldset>
  );
}

interface PairRowsProps<T extends { name: string; value: string }> {
  /** The fieldset's id (an error at it focuses it), and the prefix of its controls' ids. */
  id: string;
  legend: string;
  /** What one row is, in labels and buttons: "header" → "Header 1 name", "Remove header 1", "Add header". */
  noun: string;
  rows: T[];
  onRows: (rows: T[]) => void;
  /** A new, empty row. */
  blank: () => T;
  /** How a row's value is typed: a secret's is a password field, say. */
  valueField?: (row: T, i: number) => Pick<TextFieldProps, 'type' | 'autoComplete' | 'placeholder' | 'hint'>;
  error?: string | undefined;
}

/** Name-and-value rows (headers, an entity's fields) under a legend, each removable, with "Add …". */
export function PairRows<T extends { name: string; value: string }>(p: PairRowsProps<T>) {
  const Noun = p.noun.charAt(0).toUpperCase() + p.noun.slice(1);
  const change = (i: number, patch: Partial<Pick<T, 'name' | 'value'>>) =>
    p.onRows(p.rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset class="headers" id={p.id} tabIndex={-1} aria-invalid={p.error ? 'true' : undefined}>
      <legend>{p.legend}</legend>
      {p.error && <p class="error-text">{p.error}</p>}
      {p.rows.map((row, i) => (
        <div class="header-row" key={i}>
          <TextField
            id={`${p.id}-${i}-name`}
            label={`${Noun} ${i + 1} name`}
            value={row.name}
            onValue={(name) => change(i, { name })}
          />
          <TextField
            id={`${p.id}-${i}-value`}
            label={`${Noun} ${i + 1} value`}
            {...p.valueField?.(row, i)}
            value={row.value}
            onValue={(value) => change(i, { value })}
          />
          <button
            type="button"
            aria-label={`Remove ${p.noun} ${i + 1}`}
            onClick={() => p.onRows(p.rows.filter((_, j) => j !== i))}
          >
            Remove
          </button>
        </div>
      ))}
      <button type="button" onClick={() => p.onRows([...p.rows, p.blank()])}>
        Add {p.noun}
      </button>
    </fieldset>
  );
}
