import { memoryBroker } from '../../streaming/transport/index.js';
import { brokerConformance } from './brokerConformance.js';

brokerConformance('in memory', () => memoryBroker(), { timeoutMs: 5_000 });
