import { isUnavailableError } from './db-errors.js';

describe('isUnavailableError', () => {
  it.each([
    [{ code: 'ECONNREFUSED' }],
    [{ code: '57P01', message: 'terminating connection due to administrator command' }],
    [{ code: '08006' }],
    [new Error('Connection terminated unexpectedly')],
    [new Error('timeout exceeded when trying to connect')],
    [new Error('Query read timeout')],
    [{ message: 'query failed', driverError: { code: 'ECONNRESET' } }],
    [new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    [new Error('Reached the max retries per request limit (which is 1).')],
  ])('treats %j as the database being away', (error) => {
    expect(isUnavailableError(error)).toBe(true);
  });

  it.each([
    [{ code: '23505', message: 'duplicate key value violates unique constraint' }],
    [{ code: '42P01', message: 'relation does not exist' }],
    [{ code: '55000', message: 'object not in prerequisite state' }],
    [new TypeError('x is undefined')],
    [null],
    ['ECONNREFUSED'],
  ])('treats %j as a real error', (error) => {
    expect(isUnavailableError(error)).toBe(false);
  });
});
