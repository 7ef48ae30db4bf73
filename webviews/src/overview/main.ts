import { registerToolkit } from '../common/toolkit.js';
import './overview-app.js';

registerToolkit();
