import { describeDriverSuite } from '../suite/driver-suite.js';
import { createMemoryDriver } from './memory-driver.js';

describeDriverSuite('memory', async () => createMemoryDriver());
