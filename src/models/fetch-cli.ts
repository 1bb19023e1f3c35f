/**
 * `npm run models` (also run by `npm ci` through `prepare`, and by CI): choose the model pack, make its
 * files present and verified in the models dir, and remember the choice for run-time commands.
 *
 * Environment: FACEBLOG_MODELS_DIR (default <repo>/models), FACEBLOG_MODEL_MIRROR (default
 * ../shared/models beside the checkout when it exists), FACEBLOG_MODEL_PACK, FACEBLOG_OFFLINE=1.
 */
import { parseConfig } from '../config.js';
import { extraFiles, packFiles } from '../core/manifest.js';
import { describeError } from '../core/errors.js';
import { createHashCache, ensureModelFiles, type Log } from './fetch.js';
import { displayPath, loadManifestFile, manifestPath, modelSettings, repoRootFromModule } from './paths.js';
import { selectPack, writeSelectedPack } from './select-pack.js';

const log: Log = (line) => {
  console.error(line);
};

async function main(): Promise<void> {
  const repoRoot = repoRootFromModule();
  // The one configuration schema, as every entry point reads it (src/config.ts).
  const settings = modelSettings(parseConfig(process.env, repoRoot), repoRoot);
  const manifest = await loadManifestFile(manifestPath(repoRoot));
  const hashes = createHashCache();

  const choice = await selectPack({ manifest, ...settings, hashes, log });
  const fetched = await ensureModelFiles(packFiles(choice.pack), { ...settings, hashes, log });
  // The scene-object detector has no public download (it is a conversion kept on the mirror): a
  // machine without it still gets a working pack, and posts go without scene objects.
  try {
    fetched.push(...(await ensureModelFiles(extraFiles(choice.pack), { ...settings, hashes, log })));
  } catch (error) {
    log(
      `faceblog: no scene-object detector, posts will not mention objects: ${describeError(error).message}`,
    );
  }
  const saved = await writeSelectedPack(settings.modelsDir, choice);

  const counts = (['present', 'mirror', 'download'] as const)
    .map((source) => [source, fetched.filter((f) => f.source === source).length] as const)
    .filter(([, n]) => n > 0)
    .map(
      ([source, n]) =>
        `${n} ${source === 'present' ? 'already present' : source === 'mirror' ? 'copied from the mirror' : 'downloaded'}`,
    );
  log(
    `faceblog: model pack '${choice.pack.name}' is ready in ${displayPath(settings.modelsDir)} ` +
      `(${fetched.length} files, sha256 verified: ${counts.join(', ')}); choice saved to ${displayPath(saved)}`,
  );
}

try {
  await main();
} catch (error) {
  const { code, message } = describeError(error);
  console.error(`faceblog: npm run models failed [${code}]: ${message}`);
  process.exitCode = 1;
}
