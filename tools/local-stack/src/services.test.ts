import { ServiceNames } from '@arbiter/contract';
import { DefaultServicePorts, ServiceStartOrder } from './services';

describe('the services the local stack starts', () => {
  it('starts every service of the contract once, and gives each its own default port', () => {
    expect([...ServiceStartOrder].sort()).toEqual([...ServiceNames].sort());
    expect(new Set(ServiceStartOrder).size).toBe(ServiceStartOrder.length);
    expect(new Set(ServiceNames.map((name) => DefaultServicePorts[name])).size).toBe(ServiceNames.length);
  });
});
