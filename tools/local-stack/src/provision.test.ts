import { EventTypes, Subscriptions, Topics, deadLetterInspectionOf, deadLetterTopicOf } from '@arbiter/contract';
import { ceTypeFilter, contractTopology, desiredSubscriptions, desiredTopics, loadTableDefinitions, subscriptionDrift } from './provision';

describe('desired Pub/Sub topology', () => {
  it('has every contract topic and one dead-letter topic per subscription', () => {
    const topics = desiredTopics(contractTopology);
    expect(topics).toEqual(expect.arrayContaining(Object.values(Topics)));
    for (const spec of Subscriptions) expect(topics).toContain(deadLetterTopicOf(spec.name));
    expect(new Set(topics).size).toBe(topics.length);
  });

  it('gives a subscription its dead-letter policy, backoff and ce-type filter, and an inspection subscription', () => {
    const [inspection, main] = desiredSubscriptions({
      name: 'router.route-on-case-opened',
      topic: Topics.caseOpened,
      eventTypes: [EventTypes.caseOpened],
      ackDeadlineSeconds: 60,
      maxDeliveryAttempts: 10,
    });
    expect(main).toEqual({
      name: 'router.route-on-case-opened',
      topic: Topics.caseOpened,
      ackDeadlineSeconds: 60,
      deadLetter: { topic: 'router.route-on-case-opened.dlq', maxDeliveryAttempts: 10 },
      retry: { minimumSeconds: 1, maximumSeconds: 60 },
      filter: 'attributes."ce-type" = "arbiter.case.opened.v1"',
    });
    expect(inspection).toEqual({ name: deadLetterInspectionOf('router.route-on-case-opened'), topic: 'router.route-on-case-opened.dlq', ackDeadlineSeconds: 60 });
  });

  it('filters on several event types with OR and leaves unfiltered subscriptions unfiltered', () => {
    expect(ceTypeFilter(['a.b.v1', 'c.d.v1'])).toBe('attributes."ce-type" = "a.b.v1" OR attributes."ce-type" = "c.d.v1"');
    const [, main] = desiredSubscriptions({ name: 'x.y-on-z', topic: Topics.decisions, ackDeadlineSeconds: 60, maxDeliveryAttempts: 10 });
    expect(main?.filter).toBeUndefined();
  });
});

describe('subscription drift', () => {
  const [, desired] = desiredSubscriptions({ name: 'sub.name', topic: 'topic-a', eventTypes: ['t.v1'], ackDeadlineSeconds: 60, maxDeliveryAttempts: 10 });
  if (desired === undefined) throw new Error('no main subscription');
  const inSync = {
    topic: 'projects/p/topics/topic-a',
    ackDeadlineSeconds: 60,
    filter: 'attributes."ce-type" = "t.v1"',
    deadLetterPolicy: { deadLetterTopic: 'projects/p/topics/sub.name.dlq', maxDeliveryAttempts: 10 },
    retryPolicy: { minimumBackoff: { seconds: '1', nanos: 0 }, maximumBackoff: { seconds: '60', nanos: 0 } },
  };

  it('sees none when the server echoes the desired config (durations as strings)', () => {
    expect(subscriptionDrift('p', desired, inSync)).toEqual({ mutable: [], immutable: [] });
  });

  it('updates ack deadline, dead-letter and retry policies in place', () => {
    expect(subscriptionDrift('p', desired, { ...inSync, ackDeadlineSeconds: 10, deadLetterPolicy: null, retryPolicy: null })).toEqual({
      mutable: ['ackDeadlineSeconds', 'deadLetterPolicy', 'retryPolicy'],
      immutable: [],
    });
  });

  it('reports a changed topic or filter as immutable', () => {
    const drift = subscriptionDrift('p', desired, { ...inSync, topic: 'projects/p/topics/other', filter: '' });
    expect(drift.immutable).toHaveLength(2);
  });
});

describe('schemas/bigquery', () => {
  it('defines the audit table partitioned by day of event_time and clustered by use case and case', () => {
    const audit = loadTableDefinitions().find((table) => table.tableReference.tableId === 'audit_events');
    expect(audit?.timePartitioning).toEqual({ type: 'DAY', field: 'event_time' });
    expect(audit?.clustering).toEqual({ fields: ['use_case', 'case_id'] });
    const columns = new Map(audit?.schema.fields.map((field) => [field.name, field]));
    for (const name of ['event_id', 'event_type', 'event_source', 'event_time', 'case_id', 'use_case', 'subject_type', 'subject_id', 'state',
      'actor_kind', 'actor_role', 'actor_id', 'model_name', 'model_version', 'confidence', 'band', 'threshold_high', 'threshold_low',
      'policy_id', 'policy_version', 'route', 'queue', 'outcome', 'reason_code', 'customer_favorable', 'evidence_uris',
      'escalation_level', 'payload', 'ingested_at']) {
      expect(columns.has(name)).toBe(true);
    }
    expect(columns.get('evidence_uris')).toMatchObject({ type: 'STRING', mode: 'REPEATED' });
    expect(columns.get('event_time')).toMatchObject({ type: 'TIMESTAMP', mode: 'REQUIRED' });
  });
});
