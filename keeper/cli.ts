// node:sqlite prints an ExperimentalWarning on first use; on a CLI that is noise on every command.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === "string" ? warning : warning.message;
  if (/SQLite is an experimental feature/.test(text)) return;
  (emitWarning as (w: string | Error, ...r: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

const { main } = await import("./cli/main.js");

process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
});

// Shutdown is bounded: whatever a stuck step still holds open (a socket, a timer) cannot keep the
// process alive for more than a few seconds after the command returned.
setTimeout(() => process.exit(), 3_000).unref();
