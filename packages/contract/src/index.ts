export * from './topology';
export * from './contract-error';
export * from './event-map';
export { validateEventData, validatePolicyDocument, compiledEventTypes, compiledPolicySchemaId } from './schema-validation';
export { createEvent, type CreateEventInput } from './event-factory';
export { fromHttpRequest, toHttpBinary, toHttpStructured, type HeaderBag, type HttpMessage } from './cloudevents.binding';
export { toPubSubMessage, toPubSubStructuredMessage, fromPubSubMessage, type PubSubMessage, type ReceivedPubSubMessage } from './pubsub.binding';
export { fromPushRequest, eventFromPushRequest, toPushRequest, type PushDelivery, type PushRequestOptions } from './pubsub.push';
