import type { Ref } from 'preact';
import { PROJECT_PATTERN } from './session';

interface Props {
  /** The input's id, which its label points to. */
  id: string;
  value: string;
  onValue: (value: string) => void;
  inputRef?: Ref<HTMLInputElement>;
  /** What Escape in the input does, if anything. */
  onEscape?: () => void;
}

/** "Project" and its input, which accepts only a project id the API accepts. */
export function ProjectField({ id, value, onValue, inputRef, onEscape }: Props) {
  return (
    <>
      <label for={id}>Project</label>
      <input
        id={id}
        ref={inputRef}
        type="text"
        autocomplete="off"
        spellcheck={false}
        required
        pattern={PROJECT_PATTERN}
        title="1 to 64 letters, digits, _ or -"
        value={value}
        onInput={(e) => onValue(e.currentTarget.value)}
        onKeyDown={
          onEscape &&
          ((e) => {
            if (e.key === 'Escape') onEscape();
          })
        }
      />
    </>
  );
}
