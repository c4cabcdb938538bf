import { rotationCrashSuite } from '../../helpers/crash-lifecycle.js';

rotationCrashSuite('lowdb');
