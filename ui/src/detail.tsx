import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Paged } from './paged';

/**
 * The item of a list whose detail is open. Closing it gives the focus back to the "Open" button that opened it,
 * or, when that row is gone, to the list's heading (`heading`).
 */
export function useDetail<T extends { id: string }>(list: Paged<T>) {
  const [open, setOpen] = useState<T | null>(null);
  const opener = useRef<HTMLElement | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  return {
    /** The open item as last loaded: a pending one updates as the list refreshes. */
    shown: (open && list.page?.items.find((item) => item.id === open.id)) ?? open,
    heading,
    open: (item: T, button: HTMLElement) => {
      opener.current = button;
      setOpen(item);
    },
    close: () => {
      setOpen(null);
      if (opener.current?.isConnected) opener.current.focus();
      else heading.current?.focus();
    },
    /** Closed without moving the focus (the list shown changed). */
    reset: () => setOpen(null),
  };
}

/** A row's "Open" button; `label` names what it opens. */
export function OpenButton({ label, onOpen }: { label: string; onOpen: (button: HTMLElement) => void }) {
  return (
    <button type="button" aria-label={label} onClick={(e) => onOpen(e.currentTarget)}>
      Open
    </button>
  );
}

interface DetailPanelProps {
  /** The heading's id: it labels the panel. */
  headingId: string;
  /** One level below the list's heading. */
  level: 3 | 4;
  title: ComponentChildren;
  /** Which item is shown: the heading takes the focus when it opens and when it changes. */
  itemId: string;
  onClose: () => void;
  children: ComponentChildren;
}

/** An opened item's detail: its heading, which takes the focus, and "Close" (or Escape, from within it). */
export function DetailPanel({ headingId, level, title, itemId, onClose, children }: DetailPanelProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  useLayoutEffect(() => heading.current?.focus(), [itemId]);
  const Heading = level === 3 ? 'h3' : 'h4';
  return (
    <section
      class="detail"
      aria-labelledby={headingId}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <div class="detail-head">
        <Heading id={headingId} ref={heading} tabIndex={-1}>
          {title}
        </Heading>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {children}
    </section>
  );
}
