import { rotationCrashSuite } from '../../helpers/crash-rotation.js';

rotationCrashSuite('lowdb');
