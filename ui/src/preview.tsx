import { useEffect, useState } from 'preact/hooks';
import { describeError, type Inputs, type Outputs } from './api';
import { useApp } from './context';
import { HeadersTable } from './format';

type Preview = Outputs['webhooks']['preview'];
type PreviewInput = Inputs['webhooks']['preview'];

/** How long the draft must stay unchanged before it is previewed: typing a template asks once, not per key. */
const DEBOUNCE_MS = 400;

/** Pretty JSON when the body is JSON, else as sent. */
function shown(body: string, contentType: string): string {
  if (!/json/i.test(contentType)) return body;
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/**
 * What a delivery of the draft would send (`webhooks.preview`: the same renderer, escaping, size check and
 * headers, secrets redacted), asked again a moment after each change; with the event it used.
 */
export function PayloadPreview({ input }: { input: PreviewInput | null }) {
  const { api } = useApp();
  const [preview, setPreview] = useState<Preview | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const key = input ? JSON.stringify(input) : '';

  useEffect(() => {
    if (!input) {
      setProblem('Choose at least one action for each trigger to see a preview.');
      return;
    }
    let live = true;
    setLoading(true);
    const timer = setTimeout(() => {
      api.webhooks.preview.mutate(input).then(
        (answer) => {
          if (!live) return;
          setPreview(answer);
          setProblem(null);
          setLoading(false);
        },
        (err: unknown) => {
          if (!live) return;
          setProblem(describeError(err));
          setLoading(false);
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key]);

  return (
    <section class="preview" aria-labelledby="preview-heading" aria-busy={loading ? 'true' : 'false'}>
      <h3 id="preview-heading">Preview</h3>
      <p class="muted small" id="preview-event">
        {preview
          ? preview.event.sample
            ? 'Rendered over a sample event: no kept event of this project matches the triggers yet.'
            : `Rendered over event ${preview.event.eventId}, the newest of this project that the triggers match.`
          : 'What a delivery would send, updated as you type.'}
      </p>
      {problem && (
        <p class="error-text" id="preview-problem">
          {problem}
        </p>
      )}
      {preview && (
        <div class={problem ? 'stale' : undefined}>
          <h4>Headers</h4>
          <HeadersTable headers={preview.headers} caption="Headers of the preview" />
          <h4>Body</h4>
          <pre aria-label="Preview body" tabIndex={0}>
            {shown(preview.body, preview.contentType)}
          </pre>
        </div>
      )}
    </section>
  );
}
