/** Outbound notifications: e-mail (SMTP or .eml outbox). */
export { createMailer, type Mail, type Mailer } from './mailer.js';
