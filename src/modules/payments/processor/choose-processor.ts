import type { Config } from '../../../shared/config/config.js';
import type { Logger } from '../../../shared/log/logger.js';
import type { CardProcessor } from './card-processor.js';
import { createHttpProcessor } from './http-processor.js';
import { createSandboxProcessor } from './sandbox-processor.js';

type ProcessorConfig = Pick<Config, 'PAYMENT_PROVIDER_URL' | 'PAYMENT_PROVIDER_KEY' | 'PAYMENT_PROVIDER_TIMEOUT'>;

/**
 * chooseProcessor picks the card processor from config: the HTTP provider when
 * PAYMENT_PROVIDER_URL is set, else the built-in sandbox that moves no money.
 *
 * @example container.register(CARD_PROCESSOR, { useFactory: (c) => chooseProcessor(c.resolve(CONFIG), logger) })
 */
export function chooseProcessor(config: ProcessorConfig, logger: Logger): CardProcessor {
  if (!config.PAYMENT_PROVIDER_URL) return createSandboxProcessor();
  return createHttpProcessor({
    url: config.PAYMENT_PROVIDER_URL,
    apiKey: config.PAYMENT_PROVIDER_KEY,
    timeoutMs: config.PAYMENT_PROVIDER_TIMEOUT,
    logger,
  });
}
