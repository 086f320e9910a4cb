import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';

interface DialogProps {
  /** Labels the dialog. */
  title: string;
  /** Escape, or "Cancel" / "Close". */
  onClose: () => void;
  children: ComponentChildren;
  wide?: boolean;
}

/**
 * A modal dialog (the browser's own `<dialog>`: focus kept inside, Escape closes). Closing it gives the focus back
 * to what had it before it opened.
 */
export function Dialog({ title, onClose, children, wide }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useLayoutEffect(() => {
    const opener = document.activeElement;
    ref.current?.showModal();
    // The dialog's first control takes the focus, unless one asks for it (a destructive dialog's Cancel).
    const wanted = ref.current?.querySelector('[data-initial-focus]');
    if (wanted instanceof HTMLElement) wanted.focus();
    return () => {
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class={wide ? 'dialog wide' : 'dialog'}
      aria-labelledby="dialog-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h3 id="dialog-title">{title}</h3>
      {children}
    </dialog>
  );
}

interface ConfirmProps {
  title: string;
  children: ComponentChildren;
  /** The button that does it, named for what it does ("Delete webhook"). */
  confirm: string;
  danger?: boolean;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/** "Are you sure?", naming what is about to happen; Cancel (or Escape) does nothing. */
export function ConfirmDialog(p: ConfirmProps) {
  return (
    <Dialog title={p.title} onClose={p.onCancel}>
      {p.children}
      <div class="actions">
        <button
          type="button"
          class={p.danger ? 'danger' : 'primary'}
          aria-disabled={p.busy ? 'true' : 'false'}
          onClick={() => !p.busy && p.onConfirm()}
        >
          {p.confirm}
        </button>
        <button type="button" onClick={p.onCancel} data-initial-focus={p.danger ? '' : undefined}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
