// ES module entry: the same implementation as index.cjs (one copy, so `instanceof` agrees
// between `import` and `require` users).
import sdk from './index.cjs';

export const {
  TaskadeAPI,
  Taskade,
  TaskadeError,
  TaskadeConnectionError,
  WebhookVerificationError,
  Paginator,
  ResourceList,
  OPERATIONS,
  DEFAULT_BASE_URL,
  VERSION,
  computeSignature,
  verifySignature,
  verifyWebhook,
  etagOf,
} = sdk;
export default TaskadeAPI;
