"""Networks: the segmentation U-Net and the regression VAE (encoder, head, decoder).

The RVAE is three separate modules because each is exported as its own ONNX graph: the app
samples z in TypeScript (PIPELINE §5) and only runs the decoder when the user asks for the
reconstruction. Sizes are kept small: the whole shipped ONNX set must stay under 40 MB and a
checkpoint must be under 15 MB to travel back from the GPU box.
"""

from __future__ import annotations

import torch
from torch import nn

from .preprocess import GRID_SIZE

LATENT_DIM = 32


def conv_bn_relu(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class DoubleConv(nn.Sequential):
    def __init__(self, cin: int, cout: int) -> None:
        super().__init__(conv_bn_relu(cin, cout), conv_bn_relu(cout, cout))


class UNet(nn.Module):
    """4-level U-Net, 1-channel S×S image → 1-channel logits (≈ 1.9 M weights at base 16)."""

    def __init__(self, base: int = 16, levels: int = 4) -> None:
        super().__init__()
        widths = [base * 2**k for k in range(levels + 1)]
        self.down = nn.ModuleList([DoubleConv(1, widths[0])])
        self.down.extend(DoubleConv(widths[k], widths[k + 1]) for k in range(levels))
        self.pool = nn.MaxPool2d(2)
        self.up = nn.ModuleList(
            nn.ConvTranspose2d(widths[k + 1], widths[k], 2, stride=2) for k in reversed(range(levels))
        )
        self.merge = nn.ModuleList(DoubleConv(widths[k] * 2, widths[k]) for k in reversed(range(levels)))
        self.out = nn.Conv2d(widths[0], 1, 1)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        skips = []
        x = image
        for k, block in enumerate(self.down):
            x = block(x if k == 0 else self.pool(x))
            skips.append(x)
        skips.pop()
        for up, merge in zip(self.up, self.merge):
            x = merge(torch.cat([up(x), skips.pop()], dim=1))
        return self.out(x)


_ENC_WIDTHS = (32, 64, 128, 128)  # 96 → 48 → 24 → 12 → 6


class Encoder(nn.Module):
    """Grid [N, C, G, G] → (mu [N, D], logvar [N, D])."""

    def __init__(self, channels: int, latent_dim: int = LATENT_DIM, grid: int = GRID_SIZE) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        cin = channels
        for width in _ENC_WIDTHS:
            layers += [conv_bn_relu(cin, width, stride=2), conv_bn_relu(width, width)]
            cin = width
        self.features = nn.Sequential(*layers)
        side = grid // 2 ** len(_ENC_WIDTHS)
        self.fc = nn.Linear(cin * side * side, 2 * latent_dim)
        self.latent_dim = latent_dim

    def forward(self, grid: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.fc(torch.flatten(self.features(grid), 1))
        mu, logvar = h[:, : self.latent_dim], h[:, self.latent_dim :]
        # Bounded log-variance keeps exp(logvar/2) finite in float32 at inference.
        return mu, torch.clamp(logvar, -12.0, 6.0)


class Head(nn.Module):
    """z [N, D] → standardised log-volume y [N, 1]."""

    def __init__(self, latent_dim: int = LATENT_DIM, hidden: int = 128) -> None:
        super().__init__()
        self.mlp = nn.Sequential(
            nn.Linear(latent_dim, hidden),
            nn.ReLU(inplace=True),
            nn.Linear(hidden, hidden),
            nn.ReLU(inplace=True),
            nn.Linear(hidden, 1),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.mlp(z)


class Decoder(nn.Module):
    """z [N, D] → reconstruction logits [N, C, G, G]."""

    def __init__(self, channels: int, latent_dim: int = LATENT_DIM, grid: int = GRID_SIZE) -> None:
        super().__init__()
        self.side = grid // 2 ** len(_ENC_WIDTHS)
        widths = list(reversed(_ENC_WIDTHS))
        self.fc = nn.Linear(latent_dim, widths[0] * self.side * self.side)
        layers: list[nn.Module] = [nn.ReLU(inplace=True)]
        cin = widths[0]
        for width in widths[1:] + [widths[-1]]:
            layers += [
                nn.ConvTranspose2d(cin, width, 4, stride=2, padding=1, bias=False),
                nn.BatchNorm2d(width),
                nn.ReLU(inplace=True),
                conv_bn_relu(width, width),
            ]
            cin = width
        layers.append(nn.Conv2d(cin, channels, 3, padding=1))
        self.net = nn.Sequential(*layers)
        self.first_width = widths[0]

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = self.fc(z).view(-1, self.first_width, self.side, self.side)
        return self.net(h)


class RVAE(nn.Module):
    """Regression VAE: the three parts trained together, exported apart."""

    def __init__(self, channels: int, latent_dim: int = LATENT_DIM) -> None:
        super().__init__()
        self.channels = channels
        self.encoder = Encoder(channels, latent_dim)
        self.head = Head(latent_dim)
        self.decoder = Decoder(channels, latent_dim)

    def forward(self, grid: torch.Tensor, sample: bool = True):
        mu, logvar = self.encoder(grid)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu) if sample else mu
        return mu, logvar, z, self.head(z), self.decoder(z)


def count_weights(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
