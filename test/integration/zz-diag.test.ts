import { it } from 'vitest';
import { setLogSink } from '../../src-main/util/logger';
setLogSink((level, scope, msg, data) => { if (scope === 'media-worker') console.log(performance.now().toFixed(1), level, msg, JSON.stringify(data)); }, 'debug');
import './media-session.test';
it('noop', () => {});
