import { MissingEnvVarError } from './errors';

describe('MissingEnvVarError', () => {
  it('names every missing variable and keeps them as data', () => {
    const error = new MissingEnvVarError(['WEBHOOK_HOST', 'API_TOKEN']);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('MissingEnvVarError');
    expect(error.message).toBe('environment variables not found: WEBHOOK_HOST, API_TOKEN');
    expect(error.missing).toEqual(['WEBHOOK_HOST', 'API_TOKEN']);
  });
});
