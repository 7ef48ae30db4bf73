import { registerToolkit } from '../common/toolkit.js';
import './compare-app.js';

registerToolkit();
