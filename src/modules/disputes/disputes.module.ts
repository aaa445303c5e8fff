import { Module } from '@nestjs/common';
import { DisputesGateway } from './disputes.gateway.js';

@Module({
  providers: [DisputesGateway],
})
export class DisputesModule {}
