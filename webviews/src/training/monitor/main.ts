import { registerToolkit } from '../../common/toolkit.js';
import './training-monitor-app.js';

registerToolkit();
