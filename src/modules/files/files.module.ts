import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { AppConfig } from '../../config/app-config.js';
import { FileSweeper } from './file-sweeper.js';
import { FileUrlSigner } from './file-url.signer.js';
import { FilesController } from './files.controller.js';
import { FilesService } from './files.service.js';
import { FILE_STORAGE } from './storage/file-storage.js';
import { filesDir, incomingDir } from './storage/dirs.js';
import { LocalFileStorage } from './storage/local-file-storage.js';

@Module({
  imports: [
    MulterModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // On disk as it arrives, not in memory: uploads at once cost the node no heap.
        dest: incomingDir(config),
        limits: { fileSize: config.fileMaxBytes, files: 1, fields: 5 },
        // Browsers send a file name as UTF-8 bytes in `filename="…"`; busboy's default reads
        // them as latin1, and "résumé.pdf" came out as "rÃ©sumÃ©.pdf".
        defParamCharset: 'utf8',
      }),
    }),
  ],
  controllers: [FilesController],
  providers: [
    FilesService,
    FileSweeper,
    FileUrlSigner,
    {
      provide: FILE_STORAGE,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new LocalFileStorage(filesDir(config)),
    },
  ],
  exports: [FileUrlSigner],
})
export class FilesModule {}
