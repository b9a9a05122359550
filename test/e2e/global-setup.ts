import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The suite runs against the built renderer; build it unless a build is already there. */
export default function globalSetup(): void {
  if (!existsSync('out/renderer/index.html') || process.env.CI) {
    execFileSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
  }
}
