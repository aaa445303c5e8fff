import {
  Controller,
  Get,
  Headers,
  Param,
  Post,
  Query,
  Res,
  StreamableFile,
  UploadedFile,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Response } from 'express';
import type { AuthUser } from '../../common/auth/auth-user.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { ApiErrors } from '../../common/http/api-errors.decorator.js';
import { CurrentUser } from '../../common/http/current-user.decorator.js';
import { Public } from '../../common/http/public.decorator.js';
import { UuidParam } from '../../common/http/uuid-param.js';
import type { AttachmentView } from '../chat/chat.types.js';
import { AttachmentResponse } from '../chat/dto/responses.dto.js';
import { TokenService } from '../auth/token.service.js';
import { FilesService, type Upload } from './files.service.js';
import { UnsentUploadsGuard } from './unsent-uploads.guard.js';

/** Shown in the browser; everything else (SVG and HTML included) downloads. */
const INLINE_TYPES = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'application/pdf',
]);

@ApiTags('files')
@ApiErrors(ErrorCode.PayloadTooLarge, ErrorCode.NotFound)
@Controller('files')
export class FilesController {
  constructor(
    private readonly files: FilesService,
    private readonly tokens: TokenService,
  ) {}

  @Post()
  @ApiBearerAuth()
  @ApiErrors(ErrorCode.Conflict)
  // Guards run before interceptors: a user at the cap is refused before multer reads the body.
  @UseGuards(UnsentUploadsGuard)
  @UseInterceptors(FileInterceptor('file'))
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary' } },
    },
  })
  @ApiCreatedResponse({ type: AttachmentResponse })
  upload(@CurrentUser() user: AuthUser, @UploadedFile() file?: Upload): Promise<AttachmentView> {
    return this.files.upload(user, file);
  }

  /**
   * With `exp` and `sig` from an attachment's url, no token is needed; otherwise (or once the link
   * has run out) a bearer token.
   */
  @Get(':id')
  @Public()
  @ApiBearerAuth()
  @ApiQuery({
    name: 'exp',
    required: false,
    description: "From the attachment's url: no token needed until then",
  })
  @ApiQuery({ name: 'sig', required: false, description: "From the attachment's url" })
  @ApiOkResponse({
    description: 'The file, with its type; images and PDFs inline, others as attachments',
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
  })
  async download(
    @Param('id', UuidParam) id: string,
    @Query('exp') exp: unknown,
    @Query('sig') sig: unknown,
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const user = bearer ? () => this.tokens.verify(bearer) : undefined;
    const file = await this.files.open(id, { exp, sig, user });
    const inline = INLINE_TYPES.has(file.mimeType);
    res.set({
      'Content-Type': file.mimeType,
      'Content-Length': String(file.size),
      'Content-Disposition': `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      'X-Content-Type-Options': 'nosniff',
      // Whatever an operator allows, a file never runs as a page of this origin.
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Cache-Control': 'private, max-age=300',
    });
    return new StreamableFile(file.stream);
  }
}
