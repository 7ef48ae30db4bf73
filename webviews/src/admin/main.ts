import './admin-app.js';
