import { registerToolkit } from '../../common/toolkit.js';
import './training-form-app.js';

registerToolkit();
