import { useRef, useState } from 'preact/hooks';
import { Dialog } from './dialog';

/**
 * A signing secret, shown this once (the page never shows it again, unless rotated), with "Copy". Where the
 * clipboard is refused, the text is selected for Ctrl+C.
 */
export function SecretDialog({ title, secret, onClose }: { title: string; secret: string; onClose: () => void }) {
  const [copied, setCopied] = useState('');
  const code = useRef<HTMLElement>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('Copied to the clipboard.');
    } catch {
      const range = document.createRange();
      if (code.current) range.selectNodeContents(code.current);
      getSelection()?.removeAllRanges();
      getSelection()?.addRange(range);
      setCopied('Selected: press Ctrl+C (⌘C) to copy.');
    }
  };
  return (
    <Dialog title={title} onClose={onClose}>
      <p>
        Receivers check each request's <code>webhook-signature</code> with this secret (Standard Webhooks). Copy it now:
        this page will not show it again.
      </p>
      <p class="secret">
        <code ref={code} aria-label="Signing secret">
          {secret}
        </code>
      </p>
      <p role="status" class="muted small">
        {copied}
      </p>
      <div class="actions">
        <button type="button" class="primary" onClick={() => void copy()}>
          Copy secret
        </button>
        <button type="button" onClick={onClose}>
          Done
        </button>
      </div>
    </Dialog>
  );
}
