import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** What a scan of DATA_DIR found: every entry with its mode, those not private, and every secret seen. */
export interface DataDirScan {
  /** `path mode` for every file and folder, relative to DATA_DIR (DATA_DIR itself is `.`). */
  entries: string[];
  /** Files not 0600 and folders not 0700, with their mode. */
  loose: string[];
  /** `secret name: form in path` for every secret found in a file's content or name. */
  leaks: string[];
}

/**
 * The forms a secret could be written in: as it is, hex, and base64 / base64url at each of the three
 * alignments it could sit at inside a longer encoded text (the characters its neighbours share are
 * left out, so a match is certain to be the secret).
 */
function formsOf(secret: string): Array<[form: string, text: string]> {
  const bytes = Buffer.from(secret, 'utf8');
  const forms: Array<[string, string]> = [
    ['plain', secret],
    ['hex', bytes.toString('hex')],
    ['HEX', bytes.toString('hex').toUpperCase()],
  ];
  for (const encoding of ['base64', 'base64url'] as const) {
    for (let pad = 0; pad < 3; pad++) {
      const text = Buffer.concat([Buffer.alloc(pad), bytes]).toString(encoding).replace(/=+$/, '');
      forms.push([`${encoding}@${pad}`, text.slice(pad ? 4 : 0, -4)]);
    }
  }
  return forms;
}

/**
 * Walks DATA_DIR (symbolic links are listed, never followed) and looks for each of `secrets` in
 * every file's bytes and name, in every form of formsOf; and for modes other than 0600 (files) and
 * 0700 (folders). Made for the acceptance "a scan of DATA_DIR after install, registration, rotation
 * and edit finds no bot token, client secret or shared secret in plain text, and every file there
 * has mode 0600": call it after each of those steps with every secret known by then.
 *
 * @example
 *   const scan = scanDataDir(world.dataDir, { botToken, clientSecret, sharedSecret });
 *   expect(scan.leaks).toEqual([]);
 *   expect(scan.loose).toEqual([]);
 */
export function scanDataDir(dir: string, secrets: Record<string, string>): DataDirScan {
  for (const [name, secret] of Object.entries(secrets)) {
    if (secret.length < 16) throw new Error(`scanDataDir: ${name} is too short to be a secret (${secret.length} characters): is it the right value?`);
  }
  const needles = Object.entries(secrets).flatMap(([name, secret]) => formsOf(secret).map(([form, text]) => ({ name, form, text: Buffer.from(text) })));
  const scan: DataDirScan = { entries: [], loose: [], leaks: [] };
  const visit = (path: string) => {
    let stat;
    let content: Buffer | undefined;
    try {
      stat = lstatSync(path);
      if (stat.isFile()) content = readFileSync(path);
    } catch (err) {
      // A temp file gone meanwhile (the bot may be running); DATA_DIR itself must be there.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && path !== dir) return;
      throw err;
    }
    const rel = relative(dir, path) || '.';
    const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
    scan.entries.push(`${rel} ${mode}`);
    for (const n of needles) if (rel.includes(n.text.toString())) scan.leaks.push(`${n.name}: ${n.form} in the name ${rel}`);
    if (stat.isSymbolicLink()) return void scan.loose.push(`${rel} is a symbolic link`);
    if (stat.isDirectory()) {
      if (mode !== '0700') scan.loose.push(`${rel} (folder) ${mode}`);
      for (const name of readdirSync(path).sort()) visit(join(path, name));
      return;
    }
    if (mode !== '0600') scan.loose.push(`${rel} ${mode}`);
    for (const n of needles) if (content?.includes(n.text)) scan.leaks.push(`${n.name}: ${n.form} in ${rel}`);
  };
  visit(dir);
  return scan;
}
