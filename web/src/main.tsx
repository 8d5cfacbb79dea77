// Entry point. Installs the error reporter first, asks the server about itself, and
// renders the shell as soon as that answer is in (or after a short wait, so a slow
// server shows the shell with a loading state rather than a blank page).
import './styles.css';
import { render } from 'preact';
import { loadSystem, type SystemState } from './api';
import { App } from './app';
import { installErrorReporter } from './errors';

const FIRST_RENDER_WAIT_MS = 1500;

installErrorReporter(() => document.documentElement.lang);

const pendingSystem = loadSystem();
const waited = new Promise<SystemState>((resolve) => {
  setTimeout(() => resolve({ status: 'loading' }), FIRST_RENDER_WAIT_MS);
});

void Promise.race([pendingSystem, waited]).then((initialSystem) => {
  const root = document.getElementById('app');
  if (!root) throw new Error('#app element missing from index.html');
  render(<App initialSystem={initialSystem} pendingSystem={pendingSystem} />, root);
});
