import { useEffect, useState } from 'preact/hooks';
import { useApp } from './context';

/**
 * One thing the API answers for (a webhook, a flow), loaded again, from null, whenever `inputs` change; an error
 * goes to the alert region. The setter keeps what an update answered.
 */
export function useLoaded<T>(load: () => Promise<T>, inputs: readonly unknown[]): [T | null, (value: T) => void] {
  const { report } = useApp();
  const [value, setValue] = useState<T | null>(null);
  useEffect(() => {
    let live = true;
    setValue(null);
    load().then(
      (found) => {
        if (live) setValue(found);
      },
      (err: unknown) => {
        if (live) report(err);
      },
    );
    return () => {
      live = false;
    };
  }, inputs);
  return [value, setValue];
}
