import { readConfig } from '@arbiter/platform';
import { readAuditExporterConfig } from './config';

describe('audit-exporter config', () => {
  it('writes the audit trail to the service project unless ARBITER_BIGQUERY_PROJECT_ID names another', () => {
    expect(readConfig({ ARBITER_PROJECT_ID: 'ops-eu' }, readAuditExporterConfig)).toMatchObject({ ok: true, value: { projectId: 'ops-eu', bigqueryProjectId: 'ops-eu', dataset: 'arbiter_audit' } });
    expect(readConfig({ ARBITER_PROJECT_ID: 'ops-eu', ARBITER_BIGQUERY_PROJECT_ID: 'analytics-eu' }, readAuditExporterConfig)).toMatchObject({ ok: true, value: { projectId: 'ops-eu', bigqueryProjectId: 'analytics-eu' } });
    expect(readConfig({ ARBITER_PROJECT_ID: 'ops-eu', ARBITER_BIGQUERY_PROJECT_ID: ' ' }, readAuditExporterConfig)).toMatchObject({ ok: true, value: { bigqueryProjectId: 'ops-eu' } });
  });
});
