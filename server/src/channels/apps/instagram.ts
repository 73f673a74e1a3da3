// Instagram messaging goes through the Messenger Platform: the same webhook shape (object `instagram`)
// and the same Send API (POST /me/messages), with the Instagram-connected Page's access token.
import type { DriverConfig } from './common.js';
import { messengerDriver } from './messenger.js';

export const instagramDriver = (cfg: DriverConfig) => messengerDriver(cfg, 'Instagram');
