// Runs in each integration test file before its tests (jest.config.js `setupFilesAfterEnv`).
// Starting a worker against a real server, plus a webhook's retries, takes seconds, not Jest's default 5 s; a project
// config cannot set testTimeout (Jest reads it from the global config only), hence this file. It applies to tests
// and to beforeAll/afterAll hooks.
jest.setTimeout(60_000);
