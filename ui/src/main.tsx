import { render } from 'preact';

render(<p>Hookline</p>, document.getElementById('app')!);
