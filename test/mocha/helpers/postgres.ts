import { stopPostgres } from "../../../deploy/local/postgres.js";

/** The tests' real Postgres (deploy/local/postgres.ts), stopped after the last test of the run. */
export { freshPostgresDatabase } from "../../../deploy/local/postgres.js";

after(stopPostgres);
