import { MissingEnvVarError } from './errors';
import { resolveWebhookTemplate, templateVariables, webhookTemplateIssues, webhookUrlIssue } from './resolve-template';

describe('resolveWebhookTemplate', () => {
  it('replaces every variable, anywhere in the URL', () => {
    const env = { DOMAIN: 'http://127.0.0.1:5594', TOKEN: 's3cret' };
    expect(resolveWebhookTemplate('{{DOMAIN}}/test?token={{TOKEN}}&again={{TOKEN}}', env)).toBe(
      'http://127.0.0.1:5594/test?token=s3cret&again=s3cret',
    );
  });

  it('returns a URL without templates unchanged', () => {
    expect(resolveWebhookTemplate('https://example.com/hook', {})).toBe('https://example.com/hook');
  });

  it('treats an empty value as set', () => {
    expect(resolveWebhookTemplate('https://example.com/{{PREFIX}}hook', { PREFIX: '' })).toBe(
      'https://example.com/hook',
    );
  });

  it('throws MissingEnvVarError naming every unset variable once', () => {
    let caught: unknown;
    try {
      resolveWebhookTemplate('{{HOST}}/{{PATH}}/{{HOST}}?k={{KEY}}', { PATH: 'p' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MissingEnvVarError);
    expect((caught as MissingEnvVarError).missing).toEqual(['HOST', 'KEY']);
  });

  it('does not resolve names from Object.prototype', () => {
    expect(() => resolveWebhookTemplate('{{constructor}}/x', {})).toThrow(MissingEnvVarError);
  });
});

describe('templateVariables', () => {
  it('lists names in order of first use, without duplicates', () => {
    expect(templateVariables('{{B}}/{{A}}/{{B}}')).toEqual(['B', 'A']);
    expect(templateVariables('https://example.com')).toEqual([]);
  });
});

describe('webhookTemplateIssues', () => {
  it('accepts absolute http and https URLs', () => {
    expect(webhookTemplateIssues('http://127.0.0.1:8080/hook')).toEqual([]);
    expect(webhookTemplateIssues('https://example.com/a/b?c=d')).toEqual([]);
  });

  it('accepts well-formed templates without checking the URL (unknown until delivery)', () => {
    expect(webhookTemplateIssues('{{SCHEDULED_TRIGGERS_WEBHOOK_DOMAIN}}/test')).toEqual([]);
    expect(webhookTemplateIssues('https://{{HOST}}:{{PORT}}/v1/{{_PATH2}}')).toEqual([]);
  });

  it('rejects a webhook without templates that is not an absolute http(s) URL', () => {
    expect(webhookTemplateIssues('example.com/hook')).toEqual([
      'webhook must be an absolute http: or https: URL (not an absolute URL)',
    ]);
    expect(webhookTemplateIssues('/relative/path')).toHaveLength(1);
    expect(webhookTemplateIssues('')).toHaveLength(1);
    expect(webhookTemplateIssues('ftp://example.com/x')).toEqual([
      'webhook must be an absolute http: or https: URL (unsupported scheme "ftp:": expected http: or https:)',
    ]);
    expect(webhookTemplateIssues('file:///etc/passwd')).toHaveLength(1);
  });

  it('rejects "{{" without "}}"', () => {
    expect(webhookTemplateIssues('https://{{HOST/x')).toEqual(['unclosed "{{" at position 8: expected "}}"']);
  });

  it('rejects an empty name', () => {
    expect(webhookTemplateIssues('{{}}/x')).toEqual(['empty variable name in "{{}}" at position 0']);
  });

  it('rejects names that are not env var names, including padded ones', () => {
    expect(webhookTemplateIssues('{{ HOST }}/x')[0]).toMatch(
      /^invalid environment variable name " HOST " at position 0/,
    );
    expect(webhookTemplateIssues('{{1HOST}}/x')[0]).toMatch(/invalid environment variable name "1HOST"/);
    expect(webhookTemplateIssues('{{HO-ST}}/x')[0]).toMatch(/invalid environment variable name "HO-ST"/);
    expect(webhookTemplateIssues('{{{HOST}}}/x')[0]).toMatch(/invalid environment variable name "\{HOST"/);
  });

  it('reports every problem at once', () => {
    expect(webhookTemplateIssues('{{}}{{A B}}{{C')).toHaveLength(3);
  });
});

describe('webhookUrlIssue', () => {
  it('never quotes the URL (it may carry resolved secrets)', () => {
    const issue = webhookUrlIssue('not a url with s3cret');
    expect(issue).toBe('not an absolute URL');
  });

  it('is null for http(s)', () => {
    expect(webhookUrlIssue('https://example.com')).toBeNull();
  });
});
